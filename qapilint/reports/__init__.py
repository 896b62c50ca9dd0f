"""Report formats: text, json, sarif, github, gitlab, b4, patchwork, email, html."""
