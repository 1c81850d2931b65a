#!/usr/bin/env python
from biaozhun.manage import main

if __name__ == "__main__":
    main()
