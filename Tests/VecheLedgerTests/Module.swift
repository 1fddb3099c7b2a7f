// Tests for VecheLedger.
