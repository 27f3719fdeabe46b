"""Bolt listeners: parse, store or read, acknowledge. Nothing slow runs here.

Every listener finishes with the database only (no Slack or QuickBooks call): clicks and
events are stored and queued for the worker *before* the acknowledgement, so what Slack was
told we received is durable, exactly like a Procore webhook.
"""
