"""Orders (issue 7): import from N11 packages, address and cargo resolution, order numbering,
status rules, cancellations and the OMS split-package web hook. Pure Python, no Qt."""
