//! Versioned storage of unit-years (SQLite embedded, PostgreSQL for a bureau), diff, restore and consolidation (汇总).
