"""One module per file format, each of the same shape: FIELDS, parse_*_line, format_*_line,
read_*/iter_*, write_*.  Coordinates are 0-based half-open inside; only GFF3/GTF readers and
writers convert to and from 1-based."""
