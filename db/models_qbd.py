"""Tables of the QuickBooks Desktop side (company files, qbXML request queue, sessions)."""
