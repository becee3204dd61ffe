"""land: community footprints, reference land layers and what each case stands on

Revision ID: 0009_land
Revises: 0006_case_list_indexes
Create Date: 2026-12-01 09:20:00

* `land_cases.footprint` (MultiPolygon, SRID 4326, GiST) and `area_rai`, a generated column
  computed by PostGIS on the ellipsoid: `ST_Area(footprint::geography) / 1600` (1 rai = 1,600 m2).
* `reference_layers` (a land holder's layer: name, owner type from the case vocabulary, owner,
  source, date) and `reference_parcels` (its polygons, GiST, every attribute kept as jsonb),
  partitioned by layer: one table per layer, loaded and indexed on its own, then attached.
* `land_overlaps` (case x layer: rai and share of the footprint; a case without a footprint gets
  the layer under its point with share 1), `footprint_overlaps` (pairs of overlapping footprints,
  both directions) and `case_land` (the owner type the layers suggest for each case): results
  refreshed set-based by `app.land.overlaps`, never per request.
"""
from alembic import op

revision = "0009_land"
down_revision = "0006_case_list_indexes"
branch_labels = None
depends_on = None

OWNER_TYPES = ("treasury", "state_railway", "crown_property", "marine", "forest", "temple",
               "local_government", "alro", "private", "other")


def upgrade():
    owner_check = ", ".join(f"'{v}'" for v in OWNER_TYPES)
    op.execute("ALTER TABLE land_cases ADD COLUMN IF NOT EXISTS footprint geometry(MultiPolygon, 4326)")
    op.execute("""ALTER TABLE land_cases ADD COLUMN IF NOT EXISTS area_rai double precision
                  GENERATED ALWAYS AS (ST_Area(footprint::geography) / 1600.0) STORED""")
    op.execute("CREATE INDEX IF NOT EXISTS idx_land_cases_footprint ON land_cases USING gist (footprint)")
    op.execute(f"""
        CREATE TABLE reference_layers (
            id serial PRIMARY KEY,
            name varchar(200) NOT NULL,
            owner_type varchar(32) NOT NULL CONSTRAINT reference_layers_owner_type_check
                CHECK (owner_type IN ({owner_check})),
            owner varchar(200),
            source varchar(500),
            source_date date,
            file_name varchar(255),
            crs varchar(80),
            parcel_count integer NOT NULL DEFAULT 0,
            attribute_names jsonb NOT NULL DEFAULT '[]'::jsonb,
            is_sample boolean NOT NULL DEFAULT false,
            version integer NOT NULL DEFAULT 1,
            created_by_id integer REFERENCES users (id),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_by_id integer REFERENCES users (id),
            updated_at timestamptz NOT NULL DEFAULT now()
        )""")
    # one partition per layer (app.land.layers): a layer is loaded into a table of its own, indexed
    # once, then attached; replacing its parcels swaps that table; deleting the layer drops it
    op.execute("CREATE SEQUENCE reference_parcels_id_seq")
    op.execute("""
        CREATE TABLE reference_parcels (
            id bigint NOT NULL DEFAULT nextval('reference_parcels_id_seq'),
            layer_id integer NOT NULL REFERENCES reference_layers (id) ON DELETE CASCADE,
            geom geometry(MultiPolygon, 4326) NOT NULL,
            attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
            PRIMARY KEY (layer_id, id)
        ) PARTITION BY LIST (layer_id)""")
    op.execute("ALTER SEQUENCE reference_parcels_id_seq OWNED BY reference_parcels.id")
    op.execute("CREATE INDEX idx_reference_parcels_geom ON reference_parcels USING gist (geom)")
    op.execute("CREATE INDEX ix_reference_parcels_id ON reference_parcels (id)")
    op.execute("CREATE TABLE reference_parcels_default PARTITION OF reference_parcels DEFAULT")
    op.execute(f"""
        CREATE TABLE land_overlaps (
            case_id integer NOT NULL REFERENCES land_cases (id) ON DELETE CASCADE,
            layer_id integer NOT NULL REFERENCES reference_layers (id) ON DELETE CASCADE,
            owner_type varchar(32) NOT NULL CHECK (owner_type IN ({owner_check})),
            area_rai double precision,
            share double precision NOT NULL CHECK (share >= 0 AND share <= 1),
            PRIMARY KEY (case_id, layer_id)
        )""")
    op.execute("CREATE INDEX ix_land_overlaps_layer ON land_overlaps (layer_id)")
    op.execute("""
        CREATE TABLE footprint_overlaps (
            case_id integer NOT NULL REFERENCES land_cases (id) ON DELETE CASCADE,
            other_id integer NOT NULL REFERENCES land_cases (id) ON DELETE CASCADE,
            area_rai double precision NOT NULL,
            PRIMARY KEY (case_id, other_id),
            CHECK (case_id <> other_id)
        )""")
    op.execute("CREATE INDEX ix_footprint_overlaps_other ON footprint_overlaps (other_id)")
    op.execute(f"""
        CREATE TABLE case_land (
            case_id integer PRIMARY KEY REFERENCES land_cases (id) ON DELETE CASCADE,
            overlay_owner_type varchar(32) NOT NULL CHECK (overlay_owner_type IN ({owner_check})),
            overlay_share double precision NOT NULL
        )""")
    op.execute("CREATE INDEX ix_case_land_owner_type ON case_land (overlay_owner_type)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS case_land")
    op.execute("DROP TABLE IF EXISTS footprint_overlaps")
    op.execute("DROP TABLE IF EXISTS land_overlaps")
    op.execute("DROP TABLE IF EXISTS reference_parcels CASCADE")
    op.execute("DROP TABLE IF EXISTS reference_layers")
    op.execute("DROP INDEX IF EXISTS idx_land_cases_footprint")
    op.execute("ALTER TABLE land_cases DROP COLUMN IF EXISTS area_rai")
    op.execute("ALTER TABLE land_cases DROP COLUMN IF EXISTS footprint")
