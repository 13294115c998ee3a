# Installs what the system needs and is missing on this machine. Safe to run again.
install_prerequisites() {
  : # filled in as the system grows
}
