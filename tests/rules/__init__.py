"""Rules import/export, diff, the rules service and the `costbridge rules` commands."""
