"""Thai fiscal quarters and Buddhist-era dates (pure: no Flask, no database).

The Thai government's fiscal year N (B.E.) runs from 1 October of B.E. N-1 to 30 September
of B.E. N; B.E. = A.D. + 543. Quarter 1 of 2569 is October-December 2568 (2025 A.D.):

    >>> quarter_of(date(2025, 11, 5))
    Quarter(fiscal_year=2569, number=1)
    >>> Quarter(2569, 1).first, Quarter(2569, 1).last
    (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

BE_OFFSET = 543
MONTHS_TH_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
MONTHS_TH = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
             "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]


def be_year(day: date) -> int:
    """The Buddhist-era year of an A.D. date."""
    return day.year + BE_OFFSET


def thai_date(day: date, *, short: bool = False) -> str:
    """`30 กันยายน 2569` (or `30 ก.ย. 2569` with `short`)."""
    months = MONTHS_TH_SHORT if short else MONTHS_TH
    return f"{day.day} {months[day.month - 1]} {be_year(day)}"


def fiscal_year(day: date) -> int:
    """The B.E. fiscal year a day falls in (October starts the next one)."""
    return be_year(day) + (1 if day.month >= 10 else 0)


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter `number` (1-4) of B.E. fiscal year `fiscal_year`."""

    fiscal_year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter must be 1-4, not {self.number}")

    @property
    def first(self) -> date:
        month = 10 + 3 * (self.number - 1)
        year = self.fiscal_year - BE_OFFSET - 1
        if month > 12:
            month, year = month - 12, year + 1
        return date(year, month, 1)

    @property
    def last(self) -> date:
        return self.next().first - timedelta(days=1)

    @property
    def key(self) -> str:
        """`2569-Q1`: how a quarter is written in an address."""
        return f"{self.fiscal_year}-Q{self.number}"

    @property
    def label(self) -> str:
        """`ไตรมาส 1/2569 (ต.ค.-ธ.ค. 2568)`."""
        first, last = self.first, self.last
        months = f"{MONTHS_TH_SHORT[first.month - 1]}-{MONTHS_TH_SHORT[last.month - 1]} {be_year(last)}"
        return f"ไตรมาส {self.number}/{self.fiscal_year} ({months})"

    def next(self) -> Quarter:
        return Quarter(self.fiscal_year + 1, 1) if self.number == 4 else Quarter(self.fiscal_year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.fiscal_year - 1, 4) if self.number == 1 else Quarter(self.fiscal_year, self.number - 1)


def quarter_of(day: date) -> Quarter:
    """The fiscal quarter holding `day`."""
    return Quarter(fiscal_year(day), ((day.month - 10) % 12) // 3 + 1)


def parse_quarter(key: str) -> Quarter | None:
    """`2569-Q1` (or `2569-1`, `Q1/2569`, `1/2569`) as a Quarter; None when it is not one."""
    text = key.strip().upper().replace("Q", "")
    if "/" in text:
        number, _sep, year = text.partition("/")
    else:
        year, _sep, number = text.partition("-")
    if not (year.isdigit() and number.isdigit() and len(year) == 4 and len(number) == 1):
        return None
    if not 1 <= int(number) <= 4 or not 2400 < int(year) < 2700:
        return None
    return Quarter(int(year), int(number))


def fiscal_year_range(year: int) -> tuple[date, date]:
    """First and last day of B.E. fiscal year `year`."""
    return Quarter(year, 1).first, Quarter(year, 4).last


def recent_quarters(today: date, years: int = 5) -> list[Quarter]:
    """The quarters of the last `years` fiscal years up to the current one, oldest first."""
    current = quarter_of(today)
    quarters = [current]
    while len(quarters) < 4 * years:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]
