"""Everything that reads files: rule folders, sale files, CSV batches and list downloads."""
