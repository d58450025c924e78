"""The local Compact as measurable rules, with findings, concerns and champions."""
