"""The command line: one module per noun (``bot queue approve 12``)."""
