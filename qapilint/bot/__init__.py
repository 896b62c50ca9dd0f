"""The patchwork CI bot: poll a project, check QAPI patches, post one check per patch.

``client`` speaks patchwork's REST API, ``state`` remembers (SQLite), ``runner``
drives a poll cycle, ``scope`` picks QAPI patches, ``tree`` picks the base
revision, ``artifacts`` writes the report a check links to.
"""
