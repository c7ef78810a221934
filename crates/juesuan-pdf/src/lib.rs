//! PDF output of the disclosure, typeset by typst used as a library, with embedded CJK fonts.
