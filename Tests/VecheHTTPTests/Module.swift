// Tests for VecheHTTP.
