"""Action ids, in one place: the message builders and the listeners must agree on them."""

from __future__ import annotations

PICK_ACCOUNT = "cb.pick_account"  # external_select: account or item for a group of lines
PICK_VENDOR = "cb.pick_vendor"  # external_select: the accounting system's vendor
PICK_CUSTOMER = "cb.pick_customer"  # external_select: the customer:job of a project
SCOPE = "cb.scope"  # static_select: how far a choice reaches (line / everywhere / project)
APPLY = "cb.apply"
RETRY = "cb.retry"
SKIP = "cb.skip"
SNOOZE = "cb.snooze"  # overflow or buttons carry the duration in their value
OPEN = "cb.open"  # a URL button: Slack still sends the click, which we acknowledge only
RETRY_ALL = "cb.retry_all"  # a roll-up's retry: every document in it
CREATE_VENDOR = "cb.create_vendor"  # create the Procore vendor in QuickBooks, then link it
CREATE_JOB = "cb.create_job"  # create the project as a job under the picked parent customer
PICK_PARENT = "cb.pick_parent"  # external_select: the parent customer of a job to create
VOID = "cb.void"  # void (or delete) the posted QuickBooks document of a deleted change order
OVERWRITE = "cb.overwrite"  # an edit made in QuickBooks: write Procore's version over it
KEEP = "cb.keep"  # an edit made in QuickBooks: keep it, costbridge stops writing the document

# Clicks that change something: only approvers, and they go through the durable queue.
CHANGES = frozenset(
    {APPLY, RETRY, SKIP, SNOOZE, RETRY_ALL, CREATE_VENDOR, CREATE_JOB, VOID, OVERWRITE, KEEP}
)
# Selections are remembered by Slack in the message state until a button is pressed.
SELECTIONS = frozenset({PICK_ACCOUNT, PICK_VENDOR, PICK_CUSTOMER, PICK_PARENT, SCOPE, OPEN})
PICKERS = frozenset({PICK_ACCOUNT, PICK_VENDOR, PICK_CUSTOMER})
