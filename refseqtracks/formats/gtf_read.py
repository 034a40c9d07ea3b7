"""placeholder"""
GtfRecord = format_gtf_line = iter_gtf = parse_gtf_attributes = parse_gtf_line = read_gtf = None
