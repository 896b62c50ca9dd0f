"""ChangeSet: the semantic difference between the schema before and after a patch."""
