from policylint.cli import main

raise SystemExit(main())
