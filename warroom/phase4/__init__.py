"""The runbook's Phase 4 steps that act, not only tick: share the post-mortem (step 11), put
its action items in the backlog (step 12), update the runbook (step 13). Pure: the war room
(warroom/service/phase4.py) reads and writes, the console and the CLI call it."""
