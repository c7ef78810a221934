//! Excel (.xlsx) output of the disclosure tables, the fill-in template, and the importer of official Excel exports.
