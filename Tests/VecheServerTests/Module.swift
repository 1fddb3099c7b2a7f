// Tests for VecheServer.
