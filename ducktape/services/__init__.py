"""Services: what a test deploys on its nodes (Service, BackgroundThreadService) and the registry
that stops, cleans and frees them after the test."""
