"""Published results: the public page, unit scorecards, comparisons and the decision appendix."""
