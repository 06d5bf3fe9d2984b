"""Files: uploads kept under random names, sniffed types, image thumbnails, guarded downloads."""
