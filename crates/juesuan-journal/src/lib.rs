//! Import of the budget-accounting journal (预算会计凭证, CSV) into the fact table, streaming in constant memory.
