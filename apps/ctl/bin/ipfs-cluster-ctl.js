#!/usr/bin/env node
// Runs the built CLI (dist/), so a global install works without TypeScript.
import '../dist/cli.js'
