// Placeholder: the stats page registers itself here.
export {};
