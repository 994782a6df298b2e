"""Living review of local therapies combined with immune checkpoint inhibitors."""
