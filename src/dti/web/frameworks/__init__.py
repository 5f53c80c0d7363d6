"""Index frameworks stored as versions: uploaded (validated by the engine), shown as a tree,
compiled once per process for scoring (:mod:`.selectors`), written by :mod:`.services`."""
