// The VecheStore module; see Specs/ and Package.swift for its place.
