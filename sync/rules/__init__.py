"""Mapping rules in the database: the one write path, its impact, explanations, reports."""
