//! Aastra/Mitel provisioning files.
