"""``rules explain`` underneath: the ten-line change order, one explanation per line."""

from __future__ import annotations

import pytest

from sync.rules.explain import ExplainError, explain_document
from tests.e2e.conftest import Harness
from tests.e2e.scenario import commitment_change_order


async def test_ten_lines_explained_after_posting_by_fetching_again(harness: Harness) -> None:
    h = harness
    procore_id = commitment_change_order(h.world)  # the ten lines, four cost types
    await h.deliver()
    await h.drain()

    # Posted, payload purged (the default): said plainly, not guessed.
    with pytest.raises(ExplainError, match="purged after posting"):
        await explain_document(h.svc, str(procore_id))

    explained = await explain_document(h.svc, f"procore:{procore_id}", fetch=True)
    assert "fetched from procore now" in explained.header and "(posted)" in explained.header
    assert [t.split(" (")[0] for t in explained.lines] == [f"Line {n}" for n in range(1, 11)]
    sub = explained.lines[2]
    assert sub.startswith("Line 3 (16-100 Electrical · Subcontract) 18450.00:")
    assert "Electrical Subcontract from rule #5 (cost code 16-*, base type commitment" in sub
    assert "also matched rule #4 (base type commitment) — less specific." in sub
    labour = explained.lines[0]
    assert "Account 5010 Job Expenses:Labor from rule #1 (base type labor, by demo-seed" in labour
    assert explained.document_reasons == ()

    one = await explain_document(h.svc, "1", line=9, fetch=True)
    assert [t.split(" (")[0] for t in one.lines] == ["Line 9"]
    with pytest.raises(ExplainError, match="has no line 11"):
        await explain_document(h.svc, "1", line=11, fetch=True)
