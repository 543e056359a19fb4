//! Reading every incident file as text with its path, for `inc check`.
