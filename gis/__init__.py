"""Framework-free GIS core: boundaries, fields, spatial rules, import/export, maps."""
