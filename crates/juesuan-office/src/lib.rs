//! Word (.docx) output of the disclosure and PNG charts (resvg with a CJK font).
