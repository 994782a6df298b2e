"""Reviewers in the loop: a hand-written curation applied to the machine's record, and what the
machine may have missed. Pure (no disk): book/curation.py reads the YAML and hands it in."""
