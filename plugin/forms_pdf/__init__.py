"""The signed form as a PDF/A for the personnel file.

`document` turns the form as it was stored at sign-off into what the PDF shows, in the talk's
language; `render` writes that as a tagged PDF/A-3u with WeasyPrint, the signed form's JSON
attached, so that the controlecode can be checked from the file alone. Nothing here reads the
talk's current data: the same stored form gives the same bytes.
"""
