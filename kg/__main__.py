from kg.interfaces.cli import main

raise SystemExit(main())
