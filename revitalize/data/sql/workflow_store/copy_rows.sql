-- PostgreSQL bulk append: {table} and {columns} are quoted identifiers.
COPY {table} ({columns}) FROM STDIN
