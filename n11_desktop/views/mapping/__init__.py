"""The parts of Categories & Mapping (``views/mapping_tab.py`` composes them): the category
browser on the left (``categories.py``), the Mapping page (``category_page.py``) with its
attribute and value panels (``attributes.py``, ``values.py``), the Suggestions page
(``suggestions.py``), Mapping Control (``control.py``) and N11 changes (``changes.py``).
Each part submits named operations from ``core/mapping/operations.py`` through ``common.Pane``."""
