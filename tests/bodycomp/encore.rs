//! GE enCORE export sets (written below once the reader exists).
