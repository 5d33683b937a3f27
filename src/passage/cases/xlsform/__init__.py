"""XLSForm forms for assessments: read with pyxform (reader), evaluated by our own XPath subset (expressions),
checked (submission), drawn (render) and exchanged with KoboCollect/ODK Collect (odk).

Nothing here imports Django: a form can be checked and evaluated without a database. docs/forms.md lists
what is supported; docs/decisions/0020-xlsform-engine.md says why it is built this way."""
