"""Spreadsheet import through declarative column mappings: all-or-nothing, row-level problem reports."""
