"""The QAPI schema frontend: parsing, doc comments, expression checks, semantic schema."""
