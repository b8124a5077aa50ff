//! HTTP exchanges → CWMP sessions, and the conformance checker.
