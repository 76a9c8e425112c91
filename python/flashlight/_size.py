"""fl.Size: a tuple subclass, as torch.Size."""


class Size(tuple):
    def __repr__(self):
        return f"flashlight.Size([{', '.join(str(int(d)) for d in self)}])"

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n
