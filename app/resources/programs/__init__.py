"""Programs of space cooperation (ILRS, Artemis), with everything they carry."""
