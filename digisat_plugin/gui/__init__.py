"""Qt widgets and map tools of the plugin (thin: the work is done by core through tasks/)."""
