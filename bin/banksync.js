#!/usr/bin/env node
// The CLI runs from one bundled file of our own modules (dependencies stay in node_modules):
// loading some hundred small ES modules one by one was most of a command's start-up time.
import '../dist/bundle/main.js';
