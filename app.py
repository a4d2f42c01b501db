"""Launch ResNet Explorer in the browser: python app.py [--host H] [--port N]."""

from explorer.ui import main

if __name__ == "__main__":
    main()
